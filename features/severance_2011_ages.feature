@carepath
Feature: Ages around the 6-month boundary
  "Under 6 months" is a calendar statement: 6 months is 181 to 184 days depending on the month of
  birth. An age given in days is therefore never converted by guessing: 180 days is surely under
  6 months, 185 days surely not, and 183 days could be either, so it is unknown and the age is
  needed more precisely. Dates of birth and diagnosis give an exact age in completed months.

  Background:
    Given the protocol "protocols/severance_2011.care"

  Scenario Outline: An age of <age> against "under 6 months"
    Given a patient "P" with:
      | field            | value      |
      | age_at_diagnosis | <age>      |
      | wbc_at_diagnosis | 11,410 /uL |
      | mll              | germline   |
    When the protocol is evaluated
    Then "infant_under_6_months" <under 6 months> for patient "P"
    And the decision "risk_group" for patient "P" is "<risk group>"

    Examples:
      | age      | under 6 months | risk group   |
      | 5 months | holds          | high         |
      | 180 days | holds          | high         |
      | 183 days | is unknown     | undetermined |
      | 185 days | does not hold  | standard     |
      | 6 months | does not hold  | standard     |

  Scenario: 183 days is too imprecise, so the age is what is needed
    Given a patient "P" with:
      | field            | value      |
      | age_at_diagnosis | 183 days   |
      | wbc_at_diagnosis | 11,410 /uL |
      | mll              | germline   |
    When the protocol is evaluated
    Then patient "P" is undetermined and needs "age_at_diagnosis"

  Scenario: The same 183 days can be either side of 6 months; the dates decide
    Given a patient "born in July" with:
      | field             | value      |
      | date_of_birth     | 2024-07-02 |
      | date_of_diagnosis | 2025-01-01 |
      | wbc_at_diagnosis  | 11,410 /uL |
      | mll               | germline   |
    And a patient "born in January" with:
      | field             | value      |
      | date_of_birth     | 2024-01-01 |
      | date_of_diagnosis | 2024-07-02 |
      | wbc_at_diagnosis  | 11,410 /uL |
      | mll               | germline   |
    When the protocol is evaluated
    Then patient "born in July" is assigned "high" for "risk_group"
    And "risk_group" for patient "born in July" was decided by "infant_under_6_months"
    And patient "born in January" is assigned "standard" for "risk_group"

  Scenario: An age that contradicts the dates is rejected
    Given a patient "P" with:
      | field             | value      |
      | age_at_diagnosis  | 5 months   |
      | date_of_birth     | 2024-01-01 |
      | date_of_diagnosis | 2024-07-02 |
      | wbc_at_diagnosis  | 11,410 /uL |
      | mll               | germline   |
    When the protocol is evaluated
    Then patient "P" is rejected with an error on "age_at_diagnosis" mentioning "date_of_birth and date_of_diagnosis give"

  Scenario Outline: An age counted up to the evaluation date <date>
    Given the protocol:
      """
      protocol infant_check "Still an infant on the evaluation date"
      input
        date_of_birth : date
        age           : duration plausible 0 days .. 18 years from date_of_birth to as_of
      criterion under_one_year "Younger than 1 year": age < 1 year
      recommend infant_protocol "Treat on the infant protocol": when under_one_year
      """
    And a patient "P" with:
      | field         | value      |
      | date_of_birth | 2025-01-02 |
    And the evaluation date is "<date>"
    When the protocol is evaluated
    Then the decision "infant_protocol" for patient "P" is "<infant protocol>"
    And the explanation for patient "P" shows "derived from date_of_birth and the evaluation date <date>"

    Examples:
      | date       | infant protocol |
      | 2026-01-01 | yes             |
      | 2026-01-02 | no              |
