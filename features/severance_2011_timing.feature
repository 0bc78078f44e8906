@carepath
Feature: The seed's HSCT referral falls due within 6 months of diagnosis
  The Discussion recommends HSCT within 6 months of diagnosis (진단 후 6개월 이내), reasoning from Kosaka 2004
  [18]. The referral carries that deadline: `explain` gives the date when the record has the date of
  diagnosis (calendar months; a day past the end of the month falls on its last day), says it is not
  recorded otherwise, and a patient who is not referred has no deadline.

  Background:
    Given the protocol "protocols/severance_2011.care"

  Scenario Outline: Diagnosed on <diagnosed>: due by <due>
    Given a patient "P" with:
      | field             | value         |
      | date_of_birth     | 2008-01-10    |
      | date_of_diagnosis | <diagnosed>   |
      | wbc_at_diagnosis  | 60000 /uL     |
      | mll               | germline      |
    When the protocol is evaluated
    Then the decision "hsct_referral" for patient "P" is "yes"
    And the explanation for patient "P" shows "due within 6 months of date_of_diagnosis: by <due>"

    Examples:
      | diagnosed  | due        |
      | 2008-05-31 | 2008-11-30 |
      | 2008-08-15 | 2009-02-15 |
      | 2008-08-31 | 2009-02-28 |

  Scenario: Without a date of diagnosis the deadline is given without its date
    Given a patient "P" with:
      | field            | value         |
      | age_at_diagnosis | 7 months      |
      | wbc_at_diagnosis | 60000 /uL     |
      | mll              | germline      |
    When the protocol is evaluated
    Then the explanation for patient "P" shows "due within 6 months of date_of_diagnosis (date_of_diagnosis not recorded)"

  Scenario: A standard-risk patient is not referred, and nothing falls due
    Given a patient "P" with:
      | field            | value     |
      | age_at_diagnosis | 7 months  |
      | wbc_at_diagnosis | 49999 /uL |
      | mll              | germline  |
    When the protocol is evaluated
    Then the decision "hsct_referral" for patient "P" is "no"
    And patient "P" is assigned "standard" for "risk_group"
