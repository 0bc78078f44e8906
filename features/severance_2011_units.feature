@carepath
Feature: A WBC count is the same count in any unit
  Counts convert exactly between units, so a WBC reported in 10*9/L (10⁹ per litre, the same as
  10³ per µL) meets the 50,000/µL threshold exactly when the same count in /µL does. The Methods
  say 50,000/µL 이상 ("or more"), so a count exactly on the threshold is hyperleukocytosis.

  Background:
    Given the protocol "protocols/severance_2011.care"

  Scenario: Patient 6's WBC written in 10*9/L
    Given a patient "6" with:
      | field            | value         |
      | age_at_diagnosis | 5 months      |
      | wbc_at_diagnosis | 123.8 10*9/L  |
      | mll              | duplication   |
    When the protocol is evaluated
    Then patient "6" has "wbc_at_diagnosis" recorded as "123,800 /µL"
    And patient "6" has "wbc_at_diagnosis" recorded as "123.8 10*9/L"
    And the explanation for patient "6" shows "wbc_at_diagnosis 123,800 /µL ≥ 50,000 /µL"
    And "risk_group" for patient "6" was decided by "infant_under_6_months, hyperleukocytosis"

  Scenario Outline: A WBC of <WBC> against the 50,000/µL threshold
    Given a patient "P" with:
      | field            | value    |
      | age_at_diagnosis | 8 months |
      | wbc_at_diagnosis | <WBC>    |
      | mll              | germline |
    When the protocol is evaluated
    Then patient "P" is assigned "<risk group>" for "risk_group"
    And "hyperleukocytosis" <hyperleukocytosis> for patient "P"

    Examples:
      | WBC           | risk group | hyperleukocytosis |
      | 50 10*9/L     | high       | holds             |
      | 50000 /uL     | high       | holds             |
      | 50,000 /µL    | high       | holds             |
      | 50.001 10*9/L | high       | holds             |
      | 49.999 10*9/L | standard   | does not hold     |
      | 49,999 /uL    | standard   | does not hold     |
